import { useState } from 'react';
import { isToolAllowed, type BindingView } from '../../stores/presets.js';
import type { UpstreamTool } from '../../stores/servers.js';

export function ToolRow({
  tool,
  binding,
  exposedName,
  tokens,
  effectiveTimeout,
  onToggle,
  onChange,
}: {
  tool: UpstreamTool;
  binding: BindingView;
  exposedName: string | null;
  tokens: number | null;
  effectiveTimeout: number | null;
  onToggle: (allowed: boolean) => void;
  onChange: (binding: BindingView) => void;
}) {
  const override = binding.toolOverrides[tool.name] ?? {};
  const [rename, setRename] = useState(override.name ?? '');
  const [description, setDescription] = useState(override.description ?? '');
  const [timeout, setTimeoutText] = useState(binding.toolTimeouts[tool.name] ? String(binding.toolTimeouts[tool.name]) : '');
  const [invalid, setInvalid] = useState<string | null>(null);
  const allowed = isToolAllowed(binding, tool.name);

  const commitOverride = (): void => {
    const name = rename.trim();
    if (name && !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      setInvalid('Names use letters, digits, "_" and "-" (1-64).');
      return;
    }
    setInvalid(null);
    const next = { ...(name ? { name } : {}), ...(description.trim() ? { description: description.trim() } : {}) };
    if ((override.name ?? '') === (next.name ?? '') && (override.description ?? '') === (next.description ?? '')) return;
    const { [tool.name]: _old, ...others } = binding.toolOverrides;
    onChange({ ...binding, toolOverrides: Object.keys(next).length > 0 ? { ...others, [tool.name]: next } : others });
  };
  const commitTimeout = (): void => {
    const text = timeout.trim();
    const current = binding.toolTimeouts[tool.name];
    if (text === '') {
      if (current === undefined) return;
      const { [tool.name]: _old, ...others } = binding.toolTimeouts;
      onChange({ ...binding, toolTimeouts: others });
      return;
    }
    const ms = Number(text);
    if (!Number.isInteger(ms) || ms <= 0 || ms > 3_600_000) {
      setInvalid('A timeout is a whole number of milliseconds, up to 3,600,000.');
      return;
    }
    setInvalid(null);
    if (ms !== current) onChange({ ...binding, toolTimeouts: { ...binding.toolTimeouts, [tool.name]: ms } });
  };
  const onEnter = (commit: () => void) => (e: React.KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      commit();
    }
  };

  return (
    <tr className={allowed ? '' : 'tool-off'} data-testid={`tool-${tool.name}`}>
      <td>
        <input type="checkbox" checked={allowed} onChange={(e) => onToggle(e.target.checked)} aria-label={`Allow ${tool.name}`} />
      </td>
      <td>
        <div className="mono">{tool.name}</div>
        {tool.description ? <div className="muted small">{tool.description}</div> : null}
        {invalid ? (
          <div className="field-error" role="alert">
            {invalid}
          </div>
        ) : null}
      </td>
      <td className="mono small">{allowed ? (exposedName ?? '—') : <span className="muted">hidden</span>}</td>
      <td>
        <input
          aria-label={`Rename ${tool.name}`}
          className="mono small-input"
          placeholder="keep"
          value={rename}
          onChange={(e) => setRename(e.target.value)}
          onBlur={commitOverride}
          onKeyDown={onEnter(commitOverride)}
        />
      </td>
      <td>
        <input
          aria-label={`Description of ${tool.name}`}
          placeholder="keep upstream's"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          onBlur={commitOverride}
          onKeyDown={onEnter(commitOverride)}
        />
      </td>
      <td>
        <input
          aria-label={`Timeout of ${tool.name} in ms`}
          inputMode="numeric"
          className="small-input"
          placeholder={effectiveTimeout ? String(effectiveTimeout) : 'default'}
          value={timeout}
          onChange={(e) => setTimeoutText(e.target.value)}
          onBlur={commitTimeout}
          onKeyDown={onEnter(commitTimeout)}
        />
      </td>
      <td className="num">{tokens ?? '—'}</td>
    </tr>
  );
}
