// The words of the launcher button: the only ones the loader on every page needs (the rest load with the widget).
export const launcherStrings = {
  launcher: "Chat with us",
  unread: (n: number) => (n === 1 ? "1 new message" : `${n} new messages`),
};
