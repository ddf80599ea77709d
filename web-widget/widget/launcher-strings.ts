// The words of the launcher button: the only ones the loader on every page needs (the rest load with the widget).
export const launcherStrings = {
  launcher: "Chat with us",
  // When nobody is online: the button opens the message form, and says so.
  launcherNobody: "Leave us a message",
  unread: (n: number) => (n === 1 ? "1 new message" : `${n} new messages`),
};
