/**
 * The count of alert hits nobody has seen yet, shown in the tab title: "(2) Dashboard · Tickwatch".
 *
 * A hit is unseen when it arrives while the page is not in front of the person: the tab is hidden
 * or the browser window does not have the focus (so its toast is on no one's screen). The count
 * is cleared as soon as the page is visible and focused again; a hit that arrives while it is,
 * is seen at once (its toast is in front of the person). Reading is separate: the inbox's unread
 * count is the server's and stays until the notifications are marked read.
 */
import { titleWithUnseen } from '@/lib/alerts/format';

let unseen = 0;

function inFront(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

function showCount(): void {
  const title = titleWithUnseen(document.title, unseen);
  if (title !== document.title) document.title = title;
}

/** Counts a hit that has just arrived, unless the page is in front of the person. */
export function noteHit(): void {
  if (inFront()) return;
  unseen += 1;
  showCount();
}

/** Clears the count when the page comes to the front, and keeps it on titles the app sets; returns the stop. */
export function watchUnseen(): () => void {
  const seen = () => {
    if (unseen === 0 || !inFront()) return;
    unseen = 0;
    showCount();
  };
  // A page title set meanwhile (a navigation) gets the count again.
  const titles = new MutationObserver(() => {
    if (unseen > 0) showCount();
  });
  titles.observe(document.head, { subtree: true, childList: true, characterData: true });
  window.addEventListener('focus', seen);
  document.addEventListener('visibilitychange', seen);
  return () => {
    titles.disconnect();
    window.removeEventListener('focus', seen);
    document.removeEventListener('visibilitychange', seen);
  };
}
