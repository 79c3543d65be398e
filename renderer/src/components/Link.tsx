import type { MouseEvent, ReactNode } from 'react';
import { routePath, useRouter, type Route } from '../stores/router.js';

export function Link({ to, children, className, ...rest }: { to: Route; children: ReactNode; className?: string; 'aria-current'?: 'page' | undefined; 'aria-label'?: string }) {
  const navigate = useRouter((s) => s.navigate);
  const onClick = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={routePath(to)} onClick={onClick} className={className} {...rest}>
      {children}
    </a>
  );
}
