import { foldDiff, lineDiff } from '../lib/diff.js';

export function DiffView({ before, after, label = 'Changes to the file' }: { before: string; after: string; label?: string }) {
  const lines = foldDiff(lineDiff(before, after));
  return (
    <pre className="diff" aria-label={label} tabIndex={0}>
      {lines.map((line, i) =>
        line.kind === 'fold' ? (
          <span key={i} className="diff-fold">
            {`  … ${line.count} unchanged line${line.count === 1 ? '' : 's'}\n`}
          </span>
        ) : (
          <span key={i} className={`diff-${line.kind}`}>
            {`${line.kind === 'add' ? '+ ' : line.kind === 'remove' ? '- ' : '  '}${line.text}\n`}
          </span>
        ),
      )}
    </pre>
  );
}
