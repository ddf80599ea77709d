// Icon path data (24x24), fixed strings drawn by icon() in bridge.ts.
export const chat = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-4.6 3.7A.9.9 0 0 1 3 21V6a2 2 0 0 1 1-2zm3 5.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z";
export const close = "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z";
export const send = "M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z";
export const warning = "M12 2 1 21h22L12 2zm1 15h-2v-2h2v2zm0-4h-2V9h2v4z";
export const check = "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z";
export const download = "M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z";
export const person = "M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5z";
