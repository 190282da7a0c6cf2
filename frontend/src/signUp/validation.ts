/** Client-side checks for sign-up; the server has the final word (common passwords etc.). */
export interface RegistrationInput {
  name: string;
  email: string;
  password: string;
  confirm: string;
}

export type RegistrationErrors = Partial<Record<keyof RegistrationInput, string>>;

export const MIN_PASSWORD_LENGTH = 10;

export function validateRegistration(input: RegistrationInput): RegistrationErrors {
  const errors: RegistrationErrors = {};
  if (!input.name.trim()) errors.name = 'Enter your name.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email.trim())) errors.email = 'Enter a valid email address.';
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    errors.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  if (input.confirm !== input.password) errors.confirm = 'The passwords do not match.';
  return errors;
}
