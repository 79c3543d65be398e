import type { PresetDetail } from '../../../../gateway/contract/index.js';
import { DeletePanel } from '../../components/DeletePanel.js';
import { useApp } from '../../stores/app.js';
import { usePresets } from '../../stores/presets.js';
import { useRouter } from '../../stores/router.js';

export function DangerZone({ detail }: { detail: PresetDetail }) {
  const remove = usePresets((s) => s.remove);
  const navigate = useRouter((s) => s.navigate);
  const toast = useApp((s) => s.toast);
  return (
    <DeletePanel
      title="Delete preset"
      titleId="danger-title"
      warning={<>Clients using {detail.url} will get “unknown preset” errors.</>}
      buttonText={`Delete ${detail.slug}…`}
      confirmTitle={`Delete “${detail.name}”?`}
      confirmText="The servers stay; only this preset and its endpoint go away."
      onDelete={async () => {
        await remove(detail.slug);
        toast('success', `Deleted ${detail.slug}`);
        navigate({ screen: 'presets' });
      }}
    />
  );
}
