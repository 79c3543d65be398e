import { errorText } from '../api/client.js';

/**
 * Runs a form's save: `saving` is on while `work` runs, and a failure becomes the form's error
 * message instead of a rejection.
 */
export async function runSave(setSaving: (saving: boolean) => void, setError: (error: string) => void, work: () => Promise<void>): Promise<void> {
  setSaving(true);
  try {
    await work();
  } catch (caught) {
    setError(errorText(caught));
  } finally {
    setSaving(false);
  }
}
