import { useState } from 'react';
import type { PresetDetail } from '../../../../gateway/contract/index.js';

type AclEntry = PresetDetail['acl'][number];
type AclType = AclEntry['type'];
const ACL_TYPES: Array<{ value: AclType; label: string }> = [
  { value: 'email', label: 'Email' },
  { value: 'domain', label: 'Email domain' },
  { value: 'user', label: 'User' },
  { value: 'token', label: 'Token id' },
];

/**
 * The ACL principal list of a preset. It stays mounted while hidden (visibility "public") so a
 * half-typed principal survives switching the visibility back and forth.
 */
export function AclEditor({ acl, setAcl, hidden }: { acl: AclEntry[]; setAcl: (acl: AclEntry[]) => void; hidden: boolean }) {
  const [aclType, setAclType] = useState<AclType>('email');
  const [aclValue, setAclValue] = useState('');

  const addAcl = (): void => {
    const value = aclValue.trim();
    if (!value) return;
    if (!acl.some((e) => e.type === aclType && e.value === value)) setAcl([...acl, { type: aclType, value }]);
    setAclValue('');
  };

  if (hidden) return null;
  return (
    <fieldset className="acl">
      <legend>Who may use it (ACL principals)</legend>
      {acl.length === 0 ? <p className="hint">Nobody is listed yet.</p> : null}
      <ul className="chips">
        {acl.map((entry) => (
          <li key={`${entry.type}:${entry.value}`} className="chip">
            <span className="muted">{entry.type}</span> {entry.value}
            <button
              type="button"
              className="button ghost small"
              aria-label={`Remove ${entry.type} ${entry.value}`}
              onClick={() => setAcl(acl.filter((e) => e !== entry))}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      <div className="row">
        <select aria-label="Principal type" value={aclType} onChange={(e) => setAclType(e.target.value as AclType)}>
          {ACL_TYPES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
        <input
          aria-label="Principal"
          placeholder={aclType === 'domain' ? 'example.com' : aclType === 'email' ? 'ana@example.com' : aclType === 'token' ? 'token id' : 'user id'}
          value={aclValue}
          onChange={(e) => setAclValue(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              addAcl();
            }
          }}
        />
        <button type="button" className="button small" onClick={addAcl}>
          Add principal
        </button>
      </div>
    </fieldset>
  );
}
