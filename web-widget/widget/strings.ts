// Every word the customer sees, in one place so it can be translated.
import { formatWait } from "../sdk/dom";

export const strings = {
  launcher: "Chat with us",
  unread: (n: number) => (n === 1 ? "1 new message" : `${n} new messages`),

  title: "Chat with us",
  subtitle: "We're here to help",
  closePanel: "Close chat window",
  loading: "Connecting…",
  refusedTitle: "This site is not set up for LiveHelp yet",
  refusedText: (origin: string) => `If you run this site, ask your LiveHelp administrator to allow ${origin}.`,
  errorTitle: "We couldn't reach the help desk",
  errorText: "Check your connection and try again.",
  retry: "Try again",

  prechatIntro: "Tell us what you need and we'll connect you with a person.",
  topic: "Topic",
  chooseTopic: "Choose a topic",
  topicRequired: "Please choose a topic.",
  details: "How can we help?",
  detailsHint: "Optional: an order number or what you were trying to do.",
  name: "Your name",
  email: "Email",
  optional: "optional",
  startChat: "Start chat",
  starting: "Starting…",

  queueTitle: "You're in line",
  queuePosition: (n: number) => `You're number ${n} in line`,
  queueWait: (seconds: number) => `Expected wait: ${formatWait(seconds)}`,
  queueFinding: "Finding someone to help you…",
  cancel: "Cancel request",

  agentHelping: "is helping you",
  agentTyping: (name: string) => `${name} is typing…`,
  someoneTyping: "Typing…",
  log: "Conversation",
  you: "You",
  system: "LiveHelp",
  seen: "Seen",
  sending: "Sending…",
  notSent: "Not sent.",
  composer: "Message",
  composerPlaceholder: "Type a message…",
  composerWaiting: "Add details while you wait…",
  send: "Send",
  endChat: "End chat",

  connectionLost: "Connection lost. Reconnecting…",
  connectionOffline: "You're offline. We'll reconnect as soon as your connection is back.",
  connectionBack: "Connected again.",
  connectionClosed: "Disconnected.",

  closedTitle: "This chat has ended",
  chatEnded: "Chat ended",
  closedByAgent: (name: string) => `${name} ended the chat.`,
  closedByYou: "You ended the chat.",
  rateLegend: "How was your chat?",
  rateStar: (n: number) => (n === 1 ? "1 star" : `${n} stars`),
  rateComment: "Anything you'd like to add?",
  rateRequired: "Please choose a rating.",
  rateSend: "Send feedback",
  rateThanks: "Thank you for your feedback!",
  transcript: "Download transcript",
  newChat: "New chat",

  offlineTitle: "No one is available right now",
  offlineText: "Leave a message and we'll get back to you.",
  offlineMessage: "Your message",
  offlineSend: "Send message",
  offlineSent: "Thanks, your message has been sent.",
  offlineSentEmail: (email: string) => `We'll reply to ${email}.`,
  messageRequired: "Please write a message.",

  maydayTitle: "Live help",
  maydayStarting: "Calling for help…",
  maydayVideo: "Agent video",
  maydayVideoSoon: "Your expert will appear here",
  maydayAgain: "Ask for help again",
  device: "Device",

  errors: {
    rate_limited: "You're sending messages very quickly. Please wait a moment.",
    too_long: "That message is too long.",
    conversation_closed: "This chat has ended.",
    identity_invalid: "We couldn't confirm who you are.",
    unknown_topic: "That topic is no longer available. Please choose another.",
    fallback: "Something went wrong. Please try again.",
  } as Record<string, string>,
};

export type Strings = typeof strings;

export function errorText(code: string): string {
  return strings.errors[code] ?? strings.errors.fallback;
}
