'use client';
import { COOLDOWN_HINT } from './alert-form-model';
import type { AlertFormValues, FieldErrors } from './alert-form-model';
import { FieldNote, InputField } from './alert-form-controls';

export interface RepeatFieldsProps {
  values: AlertFormValues;
  currency: string;
  errors: FieldErrors;
  onChange: (patch: Partial<AlertFormValues>) => void;
}

/** Once, or re-arm: back past the threshold by a band, and a cooldown after firing. */
export function RepeatFields({ values, currency, errors, onChange }: RepeatFieldsProps) {
  const rearm = values.repeatMode === 'rearm';
  return (
    <fieldset className="space-y-3 text-sm" aria-describedby={errors.repeat ? 'alert-repeat-error' : undefined}>
      <legend className="font-medium">Repeat</legend>
      <div className="flex flex-wrap gap-4">
        <label className="inline-flex items-center gap-2">
          <input
            type="radio"
            id="alert-repeat-once"
            name="alert-repeat"
            value="once"
            checked={!rearm}
            onChange={() => onChange({ repeatMode: 'once' })}
          />
          Once
        </label>
        <label className="inline-flex items-center gap-2">
          <input
            type="radio"
            id="alert-repeat-rearm"
            name="alert-repeat"
            value="rearm"
            checked={rearm}
            onChange={() => onChange({ repeatMode: 'rearm' })}
          />
          Re-arm after firing
        </label>
      </div>
      <FieldNote id="alert-repeat" error={errors.repeat} />
      {rearm && (
        <div className="grid grid-cols-2 gap-3">
          <InputField
            id="alert-band"
            label={`Band (${currency})`}
            type="text"
            inputMode="decimal"
            autoComplete="off"
            placeholder="100"
            value={values.band}
            onChange={(e) => onChange({ band: e.currentTarget.value })}
            error={errors['repeat.band']}
            hint="How far back past the threshold before it re-arms."
          />
          <InputField
            id="alert-cooldown"
            label="Cooldown (seconds)"
            type="text"
            inputMode="numeric"
            autoComplete="off"
            value={values.cooldown}
            onChange={(e) => onChange({ cooldown: e.currentTarget.value })}
            error={errors['repeat.cooldownSeconds']}
            hint={COOLDOWN_HINT}
          />
        </div>
      )}
    </fieldset>
  );
}
