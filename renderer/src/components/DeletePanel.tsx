import { useCallback, useState, type ReactNode } from 'react';
import { errorText } from '../api/client.js';
import { ErrorMessage, Modal } from './ui.js';

/**
 * A "danger" panel with a delete button that asks for confirmation in a modal ("Keep it" /
 * "Delete"). `onDelete` runs the deletion and whatever follows it (toast, navigation); a
 * failure is shown inside the modal.
 */
export function DeletePanel({
  title,
  titleId,
  warning,
  buttonText,
  confirmTitle,
  confirmText,
  onDelete,
}: {
  title: string;
  titleId?: string;
  warning: ReactNode;
  buttonText: string;
  confirmTitle: string;
  confirmText: ReactNode;
  onDelete: () => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = useCallback(() => setOpen(false), []);
  return (
    <section className="panel danger" aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      <p className="muted">{warning}</p>
      <button type="button" className="button danger" onClick={() => setOpen(true)}>
        {buttonText}
      </button>
      {open ? (
        <Modal
          title={confirmTitle}
          onClose={close}
          footer={
            <>
              <button type="button" className="button ghost" onClick={close}>
                Keep it
              </button>
              <button type="button" className="button danger" onClick={() => void onDelete().catch((caught: unknown) => setError(errorText(caught)))}>
                Delete
              </button>
            </>
          }
        >
          <p>{confirmText}</p>
          <ErrorMessage>{error}</ErrorMessage>
        </Modal>
      ) : null}
    </section>
  );
}
