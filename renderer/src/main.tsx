/** Renderer entry: find the host (Electron preload or browser host) and mount the workbench. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { detectHost, pageParams } from './api/client.js';
import { App } from './App.js';
import './styles.css';

const host = detectHost(window);
const { capture } = pageParams(window.location.search);
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App host={host} initialCapture={capture} />
    </StrictMode>,
  );
}
