import type { ReactNode } from 'react';

/**
 * A modal dialog that is one form: the backdrop, the dialog role labelled by its title, Enter
 * submitting (the browser's own default is prevented) and, when `onEscape` is given, Esc closing.
 */
export function ModalForm(props: {
  titleId: string;
  className?: string;
  testId: string;
  onSubmit: () => void;
  onEscape?: () => void;
  children: ReactNode;
}) {
  const { onEscape } = props;
  return (
    <div className="modal-backdrop" role="dialog" aria-modal="true" aria-labelledby={props.titleId}>
      <form
        className={props.className ? `modal ${props.className}` : 'modal'}
        data-testid={props.testId}
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit();
        }}
        onKeyDown={onEscape && ((e) => e.key === 'Escape' && onEscape())}
      >
        {props.children}
      </form>
    </div>
  );
}
