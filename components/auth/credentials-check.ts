import { EMAIL_PATTERN, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@/lib/auth-rules';

export interface CredentialErrors {
  email?: string;
  password?: string;
}

/** The form's own check before anything is sent; the server repeats it and has the last word. */
export function checkCredentials(email: string, password: string, creating: boolean): CredentialErrors {
  const errors: CredentialErrors = {};
  if (!EMAIL_PATTERN.test(email.trim())) errors.email = 'Enter an email address like name@example.com.';
  if (creating && password.length < PASSWORD_MIN_LENGTH) {
    errors.password = `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  } else if (password.length > PASSWORD_MAX_LENGTH) {
    errors.password = `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  } else if (password.length === 0) {
    errors.password = 'Enter your password.';
  }
  return errors;
}
