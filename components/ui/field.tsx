import { cloneElement, isValidElement, type ReactElement, type ReactNode } from 'react';
import { cn } from './cn';

/** The accessibility props a control needs to be linked to its label, hint and error. */
export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/** Builds the ids and aria props for a control, for layouts that cannot use `<Field>` directly. */
export function fieldControlProps(id: string, opts: { hint?: ReactNode; error?: ReactNode }): FieldControlProps {
  const describedBy = [opts.error ? `${id}-error` : null, opts.hint ? `${id}-hint` : null].filter(Boolean);
  return {
    id,
    ...(describedBy.length ? { 'aria-describedby': describedBy.join(' ') } : {}),
    ...(opts.error ? { 'aria-invalid': true as const } : {}),
  };
}

export interface FieldProps {
  /** Id of the control; the hint and error ids derive from it. */
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  /** Error text shown under the control (no role: the form-level alert announces the failure). */
  error?: ReactNode;
  /** Shown after the label, e.g. "(optional)". */
  labelSuffix?: ReactNode;
  className?: string;
  /** A single control element (it receives id/aria props), or a render function for composite controls. */
  children: ReactElement<Partial<FieldControlProps>> | ((props: FieldControlProps) => ReactNode);
}

export function Field({ id, label, hint, error, labelSuffix, className, children }: FieldProps) {
  const controlProps = fieldControlProps(id, { hint, error });
  const control =
    typeof children === 'function'
      ? children(controlProps)
      : isValidElement(children)
        ? cloneElement(children, controlProps)
        : children;
  return (
    <div className={cn('space-y-1.5', className)}>
      <label htmlFor={id} className="block text-sm font-medium text-gray-900">
        {label}
        {labelSuffix ? <span className="ml-1 font-normal text-gray-500">{labelSuffix}</span> : null}
      </label>
      {control}
      {hint ? (
        <p id={`${id}-hint`} className="text-sm text-gray-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
