/** Client-side checks for a new password (change and reset); the server has the final word. */
import { MIN_PASSWORD_LENGTH } from '../signUp/validation';

export interface NewPasswordInput {
  password: string;
  confirm: string;
  current?: string;
}

export type NewPasswordErrors = Partial<Record<'password' | 'confirm' | 'current', string>>;

export function validateNewPassword(input: NewPasswordInput): NewPasswordErrors {
  const errors: NewPasswordErrors = {};
  if (input.current !== undefined && !input.current) errors.current = 'Enter your current password.';
  if (input.password.length < MIN_PASSWORD_LENGTH) errors.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  else if (input.current && input.password === input.current) errors.password = 'Choose a password you have not used here.';
  if (input.confirm !== input.password) errors.confirm = 'The passwords do not match.';
  return errors;
}
