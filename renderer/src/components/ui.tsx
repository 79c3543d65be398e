import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { ServerState } from '../../../gateway/contract/index.js';
import { useApp } from '../stores/app.js';

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span className="spinner" role="status" aria-live="polite">
      <span className="spinner-dot" aria-hidden="true" />
      <span className="spinner-label">{label}</span>
    </span>
  );
}

export function ErrorMessage({ children, onRetry }: { children: ReactNode; onRetry?: () => void }) {
  if (!children) return null;
  return (
    <div className="error-message" role="alert">
      <span>{children}</span>
      {onRetry ? (
        <button type="button" className="button small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <section className="empty-state" aria-label={title}>
      <h2>{title}</h2>
      <div className="empty-text">{children}</div>
      {action ? <div className="empty-action">{action}</div> : null}
    </section>
  );
}

async function writeClipboard(text: string): Promise<void> {
  if (typeof globalThis.navigator?.clipboard?.writeText === 'function') {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the clipboard is not available');
}

export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const copy = async (): Promise<void> => {
    try {
      await writeClipboard(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), 2000);
  };
  return (
    <button type="button" className="button small copy" onClick={() => void copy()} aria-label={what ? `${label} ${what}` : label}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </button>
  );
}

const STATE_LABELS: Record<ServerState, string> = {
  ready: 'Ready',
  starting: 'Starting',
  restarting: 'Restarting',
  failed: 'Failed',
  stopped: 'Stopped',
};

export function StateBadge({ state, breaker }: { state: ServerState; breaker?: string | undefined }) {
  const open = breaker === 'open';
  return (
    <Badge className={`state-${state}${open ? ' breaker-open' : ''}`} state={state}>
      {STATE_LABELS[state]}
      {open ? ' · breaker open' : breaker === 'half_open' ? ' · probing' : ''}
    </Badge>
  );
}

/** A pill with a coloured dot; `className` picks the colour (e.g. `state-ready`, `token-active`). */
export function Badge({ className, state, children }: { className: string; state?: string; children: ReactNode }) {
  return (
    <span className={`badge ${className}`} data-state={state}>
      <span className="badge-dot" aria-hidden="true" />
      {children}
    </span>
  );
}

export function Field({ label, hint, error, children, htmlFor }: { label: string; hint?: ReactNode; error?: string | undefined; children: ReactNode; htmlFor?: string }) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {hint ? <div className="hint">{hint}</div> : null}
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function Modal({ title, onClose, children, footer }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode }) {
  const id = useId();
  const ref = useRef<HTMLDivElement | null>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('button, input, select, textarea, [tabindex]')?.focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={id} ref={ref}>
        <header className="modal-header">
          <h2 id={id}>{title}</h2>
          <button type="button" className="button ghost small" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="modal-body">{children}</div>
        {footer ? <footer className="modal-footer">{footer}</footer> : null}
      </div>
    </div>
  );
}

export function Toasts() {
  const toasts = useApp((s) => s.toasts);
  const dismiss = useApp((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span>{t.text}</span>
          <button type="button" className="button ghost small" onClick={() => dismiss(t.id)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}

/** Key/value rows (env, headers). Values of secret rows are hidden until shown. */
export function KeyValueEditor({
  label,
  rows,
  onChange,
  secretByDefault,
  keyPlaceholder,
}: {
  label: string;
  rows: Array<[string, string]>;
  onChange: (rows: Array<[string, string]>) => void;
  secretByDefault: boolean;
  keyPlaceholder: string;
}) {
  const [shown, setShown] = useState<Record<number, boolean>>({});
  const update = (index: number, key: string, value: string): void => onChange(rows.map((row, i) => (i === index ? [key, value] : row)));
  return (
    <fieldset className="kv">
      <legend>{label}</legend>
      {rows.length === 0 ? <p className="hint">None.</p> : null}
      {rows.map(([key, value], index) => (
        <div className="kv-row" key={index}>
          <input aria-label={`${label} name ${index + 1}`} placeholder={keyPlaceholder} value={key} onChange={(e) => update(index, e.target.value, value)} />
          <input
            aria-label={`${label} value ${index + 1}`}
            type={secretByDefault && !shown[index] ? 'password' : 'text'}
            placeholder="value"
            value={value}
            autoComplete="off"
            onChange={(e) => update(index, key, e.target.value)}
          />
          {secretByDefault ? (
            <button type="button" className="button ghost small" onClick={() => setShown({ ...shown, [index]: !shown[index] })}>
              {shown[index] ? 'Hide' : 'Show'}
            </button>
          ) : null}
          <button type="button" className="button ghost small" aria-label={`Remove ${key || 'row'}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="button small" onClick={() => onChange([...rows, ['', '']])}>
        Add {label.toLowerCase().replace(/s$/, '')}
      </button>
      {secretByDefault ? <p className="hint">Values are encrypted at rest and never shown again; a masked value keeps what is stored.</p> : null}
    </fieldset>
  );
}

/** Calls `tick` every `ms` while mounted and the page is visible. */
export function usePolling(tick: () => void, ms: number, enabled = true): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') saved.current();
    }, ms);
    return () => clearInterval(timer);
  }, [ms, enabled]);
}
