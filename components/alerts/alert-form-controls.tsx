'use client';
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';

const present = (hint: ReactNode) => hint !== undefined && hint !== null && hint !== '';

/** A field's error (announced) and hint lines, with the ids its control points to. */
export function FieldNote({ id, error, hint }: { id: string; error?: string | undefined; hint?: ReactNode }) {
  return (
    <>
      {error && (
        <span id={`${id}-error`} role="alert" className="mt-1 block text-xs font-normal text-red-600 dark:text-red-400">
          {error}
        </span>
      )}
      {present(hint) && (
        <span id={`${id}-hint`} className="mt-1 block text-xs font-normal text-slate-500 dark:text-slate-400">
          {hint}
        </span>
      )}
    </>
  );
}

export function describedBy(id: string, error: string | undefined, hint: ReactNode): string | undefined {
  const ids = [error ? `${id}-error` : null, present(hint) ? `${id}-hint` : null].filter((x) => x !== null);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

interface SelectFieldProps extends SelectHTMLAttributes<HTMLSelectElement> {
  id: string;
  label: string;
  options: readonly { value: string; label: string }[];
  error?: string | undefined;
  hint?: ReactNode;
}

/** A labelled select, wired like `FormField`. */
export function SelectField({ id, label, options, error, hint, ...select }: SelectFieldProps) {
  return (
    <div className="text-sm">
      <label htmlFor={id} className="block font-medium">
        {label}
      </label>
      <select
        {...select}
        id={id}
        className="field mt-1"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldNote id={id} error={error} hint={hint} />
    </div>
  );
}

interface TextAreaFieldProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
}

export function TextAreaField({ id, label, error, hint, ...textarea }: TextAreaFieldProps) {
  return (
    <div className="text-sm">
      <label htmlFor={id} className="block font-medium">
        {label}
      </label>
      <textarea
        {...textarea}
        id={id}
        className="field mt-1"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
      />
      <FieldNote id={id} error={error} hint={hint} />
    </div>
  );
}

interface InputFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
}

/** `FormField` with an id of its own (FormField names the control after its `name`). */
export function InputField({ id, label, error, hint, ...input }: InputFieldProps) {
  return (
    <div className="text-sm">
      <label htmlFor={id} className="block font-medium">
        {label}
      </label>
      <input {...input} id={id} className="field mt-1" aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, error, hint)} />
      <FieldNote id={id} error={error} hint={hint} />
    </div>
  );
}
