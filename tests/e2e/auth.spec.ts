import { expect, test } from './fixtures';
import { PASSWORD, signIn, signUp, uniqueEmail } from './support';

test('a new user signs up, signs out, signs in and sees the live dashboard', async ({ page }) => {
  const email = uniqueEmail('alice');
  await signUp(page, email);
  await expect(page.getByTestId('dashboard-title')).toContainText('Welcome');
  await expect(page.getByTestId('user-email')).toHaveText(email);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fdashboard$/);

  await signIn(page, email);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
});

test("a second browser cannot see the first user's page", async ({ page, browser }) => {
  const alice = uniqueEmail('alice');
  await signUp(page, alice);

  const other = await browser.newContext();
  const stranger = await other.newPage();
  await stranger.goto('/dashboard');
  await expect(stranger).toHaveURL(/\/sign-in/);
  await expect(stranger.getByText(alice)).toHaveCount(0);

  const bob = uniqueEmail('bob');
  await signUp(stranger, bob);
  await expect(stranger.getByTestId('user-email')).toHaveText(bob);
  await expect(stranger.getByText(alice)).toHaveCount(0);
  await expect(page.getByTestId('user-email')).toHaveText(alice);
  await other.close();
});

test('the forms explain bad input and store nothing', async ({ page }) => {
  await page.goto('/sign-up');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
  await expect(page.getByText('Use at least 10 characters.')).toBeVisible();
  await expect(page).toHaveURL(/\/sign-up$/);

  const email = uniqueEmail('carol');
  await signUp(page, email);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn(page, email, 'wrong password here');
  await expect(page.getByTestId('form-error')).toHaveText('Wrong email or password.');

  await page.goto('/sign-up');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('form-error')).toHaveText('An account with this email already exists. Sign in instead.');
});

test('the account page changes the password and deletes the account', async ({ page }) => {
  const email = uniqueEmail('dave');
  await signUp(page, email);
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill('an even better passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Password changed.', { exact: false })).toBeVisible();

  await page.getByLabel('Confirm with your password').fill('an even better passphrase');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/sign-in\?deleted=1$/);
  await expect(page.getByText('Your account and everything it owned has been deleted.')).toBeVisible();

  await signIn(page, email, 'an even better passphrase');
  await expect(page.getByTestId('form-error')).toHaveText('Wrong email or password.');
});

test('signing out everywhere ends the session of another open tab', async ({ page, context }) => {
  await signUp(page, uniqueEmail('erin'));
  const second = await context.newPage();
  await second.goto('/dashboard');
  await expect(second.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');

  await page.goto('/account');
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  // The other tab's socket is dropped by the server, and the tab goes to sign-in by itself.
  await expect(second).toHaveURL(/\/sign-in/);
});
