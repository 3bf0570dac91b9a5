/** The text of a form field, or '' when absent (FormData may also hold files). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
