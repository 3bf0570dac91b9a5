import { redirect } from 'next/navigation';

// The server's page gate answers `/` before it gets here; this covers any other path in.
export default function Home() {
  redirect('/dashboard');
}
