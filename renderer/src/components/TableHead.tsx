import type { ReactNode } from 'react';

/** A column heading: plain text, or a label (any node) with a key, optionally right-aligned as a number column. */
export type Column = string | { key: string; label: ReactNode; num?: boolean };

/** The `<thead>` of a data table: one row of `scope="col"` headings. */
export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) =>
          typeof column === 'string' ? (
            <th key={column} scope="col">
              {column}
            </th>
          ) : (
            <th key={column.key} scope="col" className={column.num ? 'num' : undefined}>
              {column.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}
