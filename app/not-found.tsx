import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="mx-auto max-w-md p-10 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-slate-500">There is nothing at this address.</p>
      <Link className="btn mt-6" href="/dashboard">
        Go to the dashboard
      </Link>
    </main>
  );
}
