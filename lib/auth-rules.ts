/** Password length bounds: enforced by the server (Better Auth) and checked early by the forms. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/** A deliberately simple e-mail shape check for forms; the server has the final word. */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Longest e-mail address accepted (the SMTP path limit); checked by the server before Better Auth. */
export const EMAIL_MAX_LENGTH = 254;
/** Longest display name accepted; the sign-up form allows 80. */
export const NAME_MAX_LENGTH = 100;
