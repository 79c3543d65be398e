import { useState } from 'react';
import { presetSlugSchema, type PresetDetail, type PresetSpec, type Visibility } from '../../../../gateway/contract/index.js';
import { Link } from '../../components/Link.js';
import { ErrorMessage, Field } from '../../components/ui.js';
import { runSave } from '../../lib/saving.js';
import { useApp } from '../../stores/app.js';
import { usePresets } from '../../stores/presets.js';
import { useRouter } from '../../stores/router.js';
import { AclEditor } from './AclEditor.js';

export function PresetForm({ detail }: { detail: PresetDetail | undefined }) {
  const navigate = useRouter((s) => s.navigate);
  const toast = useApp((s) => s.toast);
  const create = usePresets((s) => s.create);
  const update = usePresets((s) => s.update);
  const [slug, setSlug] = useState(detail?.slug ?? '');
  const [name, setName] = useState(detail?.name ?? '');
  const [description, setDescription] = useState(detail?.description ?? '');
  const [visibility, setVisibility] = useState<Visibility>(detail?.visibility ?? 'public');
  const [acl, setAcl] = useState(detail?.acl ?? []);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const slugError = !detail && slug !== '' && !presetSlugSchema.safeParse(slug).success ? 'Use lowercase letters, digits and "-" (1-63 characters), starting with a letter or digit.' : undefined;

  const save = async (): Promise<void> => {
    setError(null);
    if (!detail && !presetSlugSchema.safeParse(slug).success) {
      setError('Pick a slug: it becomes the end of the URL, e.g. /mcp/dev.');
      return;
    }
    const spec: PresetSpec = { name: name.trim() || slug, description, visibility, acl };
    await runSave(setSaving, setError, async () => {
      if (detail) {
        await update(detail.slug, spec);
        toast('success', 'Preset saved');
      } else {
        const created = await create(slug, { ...spec, servers: {} });
        toast('success', `Preset “${created.name}” created: now add servers and pick tools`);
        navigate({ screen: 'preset', slug: created.slug }, { replace: true });
      }
    });
  };

  return (
    <form
      className="panel"
      aria-label="Preset details"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h1>{detail ? detail.name : 'New preset'}</h1>
      <div className="grid-2">
        {detail ? (
          <Field label="Slug" hint="Part of the URL; fixed once created.">
            <input value={detail.slug} readOnly aria-readonly="true" className="mono" />
          </Field>
        ) : (
          <Field label="Slug" htmlFor="preset-slug" hint="Lowercase letters, digits and “-”. The endpoint becomes /mcp/<slug>." error={slugError}>
            <input id="preset-slug" className="mono" value={slug} onChange={(e) => setSlug(e.target.value)} placeholder="dev" required autoFocus />
          </Field>
        )}
        <Field label="Name" htmlFor="preset-name">
          <input id="preset-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Development" />
        </Field>
      </div>
      <Field label="Description" htmlFor="preset-description" hint="Shown to you here; clients see tool descriptions, not this.">
        <textarea id="preset-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <Field
        label="Visibility"
        htmlFor="preset-visibility"
        hint={
          visibility === 'public'
            ? 'Any local program can use this preset without a token (the gateway listens on 127.0.0.1 only).'
            : (
                <>
                  Clients must send a bearer token{visibility === 'invite_only' ? ' whose principal is listed below (or one of yours)' : ' of yours'}: create one on the{' '}
                  <Link to={{ screen: 'access' }}>Access</Link> screen.
                </>
              )
        }
      >
        <select id="preset-visibility" value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
          <option value="public">Public (no token)</option>
          <option value="private">Private (token required)</option>
          <option value="invite_only">Invite only (listed principals)</option>
        </select>
      </Field>
      <AclEditor acl={acl} setAcl={setAcl} hidden={visibility === 'public'} />
      <ErrorMessage>{error}</ErrorMessage>
      <div className="row">
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Saving…' : detail ? 'Save details' : 'Create preset'}
        </button>
        {!detail ? (
          <Link to={{ screen: 'presets' }} className="button ghost">
            Cancel
          </Link>
        ) : null}
      </div>
    </form>
  );
}
