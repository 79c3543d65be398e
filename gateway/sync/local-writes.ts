import type { Dispatch } from '../api/dispatcher.js';
import type { DesktopSync } from './desktop-sync.js';

/** Admin methods that change presets or servers (what a shared preset is made of). */
const PRESET_WRITES = new Set([
  'servers.create',
  'servers.update',
  'servers.delete',
  'presets.create',
  'presets.update',
  'presets.delete',
  'config.apply',
]);

/**
 * Preset and server writes go through desktop sync, which records what they mean for shared
 * presets in the outbox before the write is acknowledged (an acknowledged change is never missing
 * from what the team will get) and keeps pulled changes from interleaving with them.
 */
export function syncAwareDispatch(dispatch: Dispatch, sync: DesktopSync): Dispatch {
  return (method, input) => {
    if (!PRESET_WRITES.has(method)) return dispatch(method, input);
    return sync.aroundLocalWrite(
      () => dispatch(method, input),
      (result) => result.ok,
    );
  };
}
