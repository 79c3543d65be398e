import type { PresetDetail } from '../../../../gateway/contract/index.js';
import { Link } from '../../components/Link.js';
import { CopyButton } from '../../components/ui.js';
import { formatCount } from '../../lib/format.js';
import { usePresets } from '../../stores/presets.js';

export function EndpointPanel({ detail }: { detail: PresetDetail }) {
  const toolView = usePresets((s) => s.toolViews[detail.slug]);
  const exposed = toolView?.tools.filter((t) => t.exposedName !== null).length ?? 0;
  const sseUrl = detail.url.replace(/\/mcp\/([^/]+)$/, '/sse/$1');
  return (
    <section className="panel" aria-labelledby="endpoint-title">
      <h2 id="endpoint-title">Endpoint</h2>
      <div className="endpoint">
        <code className="mono" data-testid="preset-url">
          {detail.url}
        </code>
        <CopyButton text={detail.url} label="Copy URL" what="of this preset" />
      </div>
      <div className="endpoint">
        <span className="muted small">Legacy HTTP+SSE clients:</span>
        <code className="mono small">{sseUrl}</code>
        <CopyButton text={sseUrl} label="Copy" what="SSE URL" />
      </div>
      <div className="endpoint">
        <span className="muted small">stdio-only clients:</span>
        <code className="mono small">mcp-gateway connect {detail.slug}</code>
        <CopyButton text={`mcp-gateway connect ${detail.slug}`} label="Copy" what="bridge command" />
      </div>
      <p className="stats" data-testid="tool-stats">
        <strong>{exposed}</strong> {exposed === 1 ? 'tool' : 'tools'} exposed · about <strong>{formatCount(toolView?.estimatedTokens ?? 0)}</strong> tokens of tool
        definitions in every client context
      </p>
      <div className="row">
        <Link to={{ screen: 'connect', slug: detail.slug }} className="button">
          Connect a client
        </Link>
        <Link to={{ screen: 'playground', slug: detail.slug }} className="button ghost">
          Try in Playground
        </Link>
      </div>
    </section>
  );
}
