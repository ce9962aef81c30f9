/**
 * The secondary views the shell offers as tabs (statistics, follow stream, protocol views,
 * connections graph). Ids double as the views' root data-testids.
 */
import './views.css';
import type { ViewDef } from './types.js';
import type { ViewKey } from './strings.js';
import { ConversationsView } from './conversations.js';
import { EndpointsView, HostsView } from './endpoints.js';
import { HierarchyView } from './hierarchy.js';
import { IoGraphView } from './io-graph.js';
import { FollowStreamView } from './follow-stream.js';
import { DnsView, HttpView, SmbView, TlsView } from './protocols.js';
import { CredentialsView } from './credentials.js';
import { ObjectsView } from './objects.js';
import { ConnectionsGraphView } from './connections-graph.js';

export { VIEW_STRINGS } from './strings.js';

const def = (id: string, titleKey: ViewKey, component: ViewDef['component'], handles?: ViewDef['handles']): ViewDef =>
  handles ? { id, titleKey, component, handles } : { id, titleKey, component };

export const VIEWS: readonly ViewDef[] = [
  def('conversations', 'views.title.conversations', ConversationsView),
  def('endpoints', 'views.title.endpoints', EndpointsView),
  def('protocol-hierarchy', 'views.title.hierarchy', HierarchyView),
  def('io-graph', 'views.title.io', IoGraphView),
  def('follow-stream', 'views.title.follow', FollowStreamView, ['follow']),
  def('http', 'views.title.http', HttpView),
  def('dns', 'views.title.dns', DnsView),
  def('tls', 'views.title.tls', TlsView),
  def('smb', 'views.title.smb', SmbView),
  def('credentials', 'views.title.credentials', CredentialsView),
  def('objects', 'views.title.objects', ObjectsView),
  def('hosts', 'views.title.hosts', HostsView),
  def('connections-graph', 'views.title.graph', ConnectionsGraphView, ['host']),
];
