// The agent console served at /console.
export {};
