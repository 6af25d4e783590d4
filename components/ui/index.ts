// ConfirmDialog is imported from './confirm-dialog' directly, so only the pages that use it load it.
export { cn, focusRing } from './cn';
export { Spinner } from './spinner';
export { Button, buttonClasses, type ButtonProps, type ButtonVariant, type ButtonSize } from './button';
export { Input, Textarea, type InputProps, type TextareaProps } from './input';
export { Field, fieldControlProps, type FieldProps, type FieldControlProps } from './field';
export { Card, type CardProps } from './card';
export { Alert, type AlertProps, type AlertTone } from './alert';
export { Badge, type BadgeTone } from './badge';
export { CopyButton, type CopyButtonProps } from './copy-button';
export { CodeValue, type CodeValueProps } from './code-value';
export { PageHeader } from './page-header';
