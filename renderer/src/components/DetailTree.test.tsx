// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { FrameDetail, TreeNode } from '../../../shared/model.js';
import { makeT } from '../i18n/index.js';
import { DetailTree, findField, visibleNodes } from './DetailTree.js';
import { HexPane } from './HexPane.js';

const t = makeT('en');
const detail: FrameDetail = {
  frame: 4,
  hex: '000102030405060708090a0b0c0d0e0f1011121314',
  anomalies: [],
  tree: [
    { label: 'Frame 4', field: 'frame', offset: 0, length: 21, children: [{ label: 'Frame Number: 4', field: 'frame.number', offset: 0, length: 0, value: 4 }] },
    {
      label: 'Internet Protocol Version 4',
      field: 'ip',
      offset: 14,
      length: 7,
      children: [
        { label: 'Source Address: 10.0.0.1', field: 'ip.src', offset: 16, length: 4, value: '10.0.0.1' },
        { label: '[Stream index: 0]', field: 'tcp.stream', offset: -1, length: 0, value: 0 },
      ],
    },
  ],
};

function Harness() {
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [key, setKey] = useState<string | null>(null);
  const [node, setNode] = useState<TreeNode | null>(null);
  return (
    <>
      <DetailTree
        detail={detail}
        loading={false}
        error={null}
        expanded={expanded}
        onExpanded={setExpanded}
        selectedKey={key}
        onSelectNode={(k, n) => {
          setKey(k);
          setNode(n);
        }}
        onNodeMenu={() => {}}
        t={t}
      />
      <HexPane hex={detail.hex} offset={node?.offset ?? -1} length={node?.length ?? 0} t={t} />
    </>
  );
}

describe('<DetailTree> and <HexPane>', () => {
  afterEach(cleanup);

  it('flattens only expanded subtrees', () => {
    expect(visibleNodes(detail.tree, new Set()).map((v) => v.node.label)).toEqual(['Frame 4', 'Internet Protocol Version 4']);
    const ipKey = visibleNodes(detail.tree, new Set())[1]!.key;
    expect(visibleNodes(detail.tree, new Set([ipKey])).map((v) => v.depth)).toEqual([0, 0, 1, 1]);
    expect(findField(detail.tree, 'tcp.stream')?.value).toBe(0);
  });

  it('navigates with the keyboard and highlights the selected field’s bytes', () => {
    render(<Harness />);
    const tree = screen.getByRole('tree');
    fireEvent.keyDown(tree, { key: 'ArrowDown' }); // Frame 4
    fireEvent.keyDown(tree, { key: 'ArrowDown' }); // IP
    expect(screen.getAllByTestId('hex-highlight').map((e) => e.textContent).join('|')).toBe('0e 0f|10 11 12 13 14');
    fireEvent.keyDown(tree, { key: 'ArrowRight' }); // expand
    expect(screen.getAllByTestId('detail-node')).toHaveLength(4);
    fireEvent.keyDown(tree, { key: 'ArrowRight' }); // into ip.src
    expect(screen.getAllByTestId('hex-highlight').map((e) => e.textContent)).toEqual(['10 11 12 13']);
    fireEvent.keyDown(tree, { key: 'ArrowDown' }); // tcp.stream: no bytes
    expect(screen.queryAllByTestId('hex-highlight')).toHaveLength(0);
    fireEvent.keyDown(tree, { key: 'ArrowLeft' }); // to parent
    fireEvent.keyDown(tree, { key: 'ArrowLeft' }); // collapse
    expect(screen.getAllByTestId('detail-node')).toHaveLength(2);
    const ip = screen.getAllByTestId('detail-node')[1]!;
    expect(ip.getAttribute('aria-selected')).toBe('true');
    expect(ip.getAttribute('aria-expanded')).toBe('false');
  });

  it('renders captured text as text, never markup', () => {
    const evil: FrameDetail = { ...detail, tree: [{ label: '<img src=x onerror=alert(1)>', offset: -1, length: 0 }] };
    render(<DetailTree detail={evil} loading={false} error={null} expanded={new Set()} onExpanded={() => {}} selectedKey={null} onSelectNode={() => {}} onNodeMenu={() => {}} t={t} />);
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
  });
});
