/**
 * The admin token of a headless gateway reaches the browser once, in the URL fragment that
 * `mcp-gateway serve` prints (`/#token=…`; fragments never reach servers or logs). It is kept in
 * sessionStorage for this tab only and removed from the address bar at once.
 */
const KEY = 'mcp-gateway.admin-token';

export function takeTokenFromLocation(location: Location, history: History, storage: Storage): string | null {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  const params = new URLSearchParams(hash);
  const fromHash = params.get('token');
  if (fromHash) {
    storage.setItem(KEY, fromHash);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    return fromHash;
  }
  return storage.getItem(KEY);
}

export function saveToken(storage: Storage, token: string): void {
  storage.setItem(KEY, token);
}

export function clearToken(storage: Storage): void {
  storage.removeItem(KEY);
}
