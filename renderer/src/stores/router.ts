import { create } from 'zustand';

/** Client-side routes on the page's path (the gateway answers any UI path with index.html). */
export type Route =
  | { screen: 'presets' }
  | { screen: 'preset'; slug: string }
  | { screen: 'preset-new' }
  | { screen: 'servers' }
  | { screen: 'server'; name: string }
  | { screen: 'server-new' }
  | { screen: 'playground'; slug?: string; tool?: string }
  | { screen: 'dashboard' }
  | { screen: 'connect'; slug?: string }
  | { screen: 'import' }
  | { screen: 'access' }
  | { screen: 'sync' }
  | { screen: 'settings' };

export function parseRoute(pathname: string, search = ''): Route {
  const parts = pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  const query = new URLSearchParams(search);
  const [head, second] = parts;
  switch (head) {
    case undefined:
    case 'presets':
      if (second === 'new') return { screen: 'preset-new' };
      return second ? { screen: 'preset', slug: second } : { screen: 'presets' };
    case 'servers':
      if (second === 'new') return { screen: 'server-new' };
      return second ? { screen: 'server', name: second } : { screen: 'servers' };
    case 'playground': {
      const slug = query.get('preset') ?? undefined;
      const tool = query.get('tool') ?? undefined;
      return { screen: 'playground', ...(slug ? { slug } : {}), ...(tool ? { tool } : {}) };
    }
    case 'dashboard':
      return { screen: 'dashboard' };
    case 'connect': {
      const slug = query.get('preset') ?? undefined;
      return { screen: 'connect', ...(slug ? { slug } : {}) };
    }
    case 'import':
      return { screen: 'import' };
    case 'access':
      return { screen: 'access' };
    case 'sync':
      return { screen: 'sync' };
    case 'settings':
      return { screen: 'settings' };
    default:
      return { screen: 'presets' };
  }
}

export function routePath(route: Route): string {
  const q = (params: Record<string, string | undefined>): string => {
    const search = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1]))).toString();
    return search ? `?${search}` : '';
  };
  switch (route.screen) {
    case 'presets':
      return '/presets';
    case 'preset':
      return `/presets/${encodeURIComponent(route.slug)}`;
    case 'preset-new':
      return '/presets/new';
    case 'servers':
      return '/servers';
    case 'server':
      return `/servers/${encodeURIComponent(route.name)}`;
    case 'server-new':
      return '/servers/new';
    case 'playground':
      return `/playground${q({ preset: route.slug, tool: route.tool })}`;
    case 'dashboard':
      return '/dashboard';
    case 'connect':
      return `/connect${q({ preset: route.slug })}`;
    case 'import':
      return '/import';
    case 'access':
      return '/access';
    case 'sync':
      return '/sync';
    case 'settings':
      return '/settings';
  }
}

interface RouterState {
  route: Route;
  navigate(route: Route, options?: { replace?: boolean }): void;
  sync(): void;
}

export const useRouter = create<RouterState>((set) => ({
  route: typeof location === 'undefined' ? { screen: 'presets' } : parseRoute(location.pathname, location.search),
  navigate(route, options) {
    const path = routePath(route);
    if (typeof history !== 'undefined') {
      if (options?.replace) history.replaceState(null, '', path);
      else history.pushState(null, '', path);
    }
    set({ route });
  },
  sync() {
    set({ route: parseRoute(location.pathname, location.search) });
  },
}));
