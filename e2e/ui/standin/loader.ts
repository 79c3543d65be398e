/** Node module hook: resolves the specifier "electron" to the stand-in; everything else as usual. */
type Resolve = (specifier: string, context: unknown, next: (specifier: string, context: unknown) => Promise<unknown>) => Promise<unknown>;

export const resolve: Resolve = async (specifier, context, next) => {
  if (specifier === 'electron') return { url: new URL('./electron.js', import.meta.url).href, shortCircuit: true, format: 'module' };
  return next(specifier, context);
};
