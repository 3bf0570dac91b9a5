'use client';
import { type FormEvent, useEffect, useState } from 'react';
import { toast } from 'sonner';
import { FormError } from '@/components/ui/form-field';
import { NOTE_MAX_CHARS, averageLabel, noteLength, problemsByField } from '@/lib/alerts/format';
import { quoteCurrency } from '@/lib/market/decimal';
import { formatWindow } from '@/lib/market/time';
import { InputField, SelectField, TextAreaField } from './alert-form-controls';
import {
  type AlertFormValues,
  type AlertSchema,
  FIELDS,
  FIELD_CONTROL,
  type FieldErrors,
  type FieldName,
  INITIAL_VALUES,
  checkAlertForm,
  inWords,
} from './alert-form-model';
import { AlertPreview } from './alert-preview';
import { alertOf, callApi, problemOf } from './api';
import { useDashboardAlerts, useDashboardMarket } from './dashboard-context';
import { RepeatFields } from './repeat-fields';

/**
 * The shared validation rules, loaded after the page (zod is not needed to show the dashboard).
 * Until then the form relies on the API's answer, which applies the same rules.
 */
function useAlertSchema(): AlertSchema | null {
  const [schema, setSchema] = useState<AlertSchema | null>(null);
  useEffect(() => {
    let active = true;
    import('@/lib/alerts/alert-input').then(
      (module) => active && setSchema(module.createAlertSchema),
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, []);
  return schema;
}

/** The new-alert form of the dashboard. Its product is the chart's: choosing one here shows it there. */
export function AlertForm() {
  const market = useDashboardMarket();
  const { added } = useDashboardAlerts();
  const schema = useAlertSchema();
  const [values, setValues] = useState<AlertFormValues>(INITIAL_VALUES);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [pending, setPending] = useState(false);
  const { product, windowMs } = market;
  const currency = product ? quoteCurrency(product) || 'USD' : 'USD';

  function update(patch: Partial<AlertFormValues>) {
    const next = { ...values, ...patch };
    setValues(next);
    // After a first attempt, problems follow the input as it is corrected.
    if (submitted && product) setErrors(checkAlertForm(product, next, schema, Date.now()).fields);
  }

  function showProblems(fields: FieldErrors, other: readonly string[], fallback: string | null) {
    setErrors(fields);
    setFormError(other[0] ?? fallback);
    const first = FIELDS.find((f) => fields[f] !== undefined);
    if (first) document.getElementById(FIELD_CONTROL[first])?.focus();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!product || pending) return;
    setSubmitted(true);
    const checked = checkAlertForm(product, values, schema, Date.now());
    if (Object.keys(checked.fields).length > 0 || checked.other.length > 0) return showProblems(checked.fields, checked.other, null);
    setErrors({});
    setFormError(null);
    setPending(true);
    const result = await callApi('/api/alerts', { method: 'POST', body: checked.body });
    setPending(false);
    if (result.ok) {
      const alert = alertOf(result.body);
      if (alert) added(alert);
      toast.success('Alert set');
      setValues(INITIAL_VALUES);
      setSubmitted(false);
      return;
    }
    const problem = problemOf(result);
    const { fields, other } = problemsByField(problem.details, FIELDS);
    showProblems(inWords(fields), other, Object.keys(fields).length > 0 ? null : problem.message);
  }

  const error = (field: FieldName) => errors[field];
  const noteCount = noteLength(values.note);
  // Until the window is known the options name none (the select is full width: no shift).
  const basisOptions = [
    { value: 'mean', label: windowMs === null ? 'Average (mean)' : `${averageLabel(windowMs)} (mean)` },
    { value: 'vwap', label: windowMs === null ? 'VWAP' : `VWAP (${formatWindow(windowMs)})` },
    { value: 'last', label: 'Last price' },
  ];

  return (
    <form data-testid="alert-form" method="post" noValidate onSubmit={onSubmit} className="space-y-4" aria-labelledby="alert-form-title">
      <h3 id="alert-form-title" className="text-sm font-semibold">
        New alert
      </h3>
      <FormError message={formError} />
      <SelectField
        id="alert-product"
        label="Product"
        value={product ?? ''}
        disabled={market.products.length === 0}
        options={market.products.map((p) => ({ value: p, label: p }))}
        onChange={(e) => market.selectProduct(e.currentTarget.value)}
        error={error('product')}
        hint={market.status === 'ready' ? 'The chart above follows this choice.' : 'Loading products…'}
      />
      <div className="grid grid-cols-2 gap-3">
        <SelectField
          id="alert-direction"
          label="Direction"
          value={values.direction}
          options={[
            { value: 'above', label: 'Above' },
            { value: 'below', label: 'Below' },
          ]}
          onChange={(e) => update({ direction: e.currentTarget.value === 'below' ? 'below' : 'above' })}
          error={error('direction')}
        />
        <InputField
          id="alert-threshold"
          label={`Threshold (${currency})`}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          placeholder="65000.00"
          value={values.threshold}
          onChange={(e) => update({ threshold: e.currentTarget.value })}
          error={error('threshold')}
        />
      </div>
      <SelectField
        id="alert-basis"
        label="Compare"
        value={values.basis}
        options={basisOptions}
        onChange={(e) => {
          const basis = e.currentTarget.value;
          update({ basis: basis === 'vwap' || basis === 'last' ? basis : 'mean' });
        }}
        error={error('basis')}
      />
      <AlertPreview latest={market.latest} basis={values.basis} direction={values.direction} threshold={values.threshold} windowMs={windowMs} />
      <RepeatFields values={values} currency={currency} errors={errors} onChange={update} />
      <TextAreaField
        id="alert-note"
        label="Note (optional)"
        rows={2}
        value={values.note}
        onChange={(e) => update({ note: e.currentTarget.value })}
        error={error('note')}
        hint={
          <span data-testid="alert-note-count" className={noteCount > NOTE_MAX_CHARS ? 'font-medium text-red-600 dark:text-red-400' : undefined}>
            {noteCount}/{NOTE_MAX_CHARS} characters
          </span>
        }
      />
      <InputField
        id="alert-expiry"
        label="Expires (optional)"
        type="datetime-local"
        value={values.expiry}
        onChange={(e) => update({ expiry: e.currentTarget.value })}
        error={error('expiresAt')}
        hint="Your local time. Without one, the alert stays until you delete it."
      />
      <button type="submit" className="btn" data-testid="alert-submit" disabled={pending || !product}>
        {pending ? 'Setting alert…' : 'Set alert'}
      </button>
    </form>
  );
}
