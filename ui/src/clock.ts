// The app's notion of "now", replaceable by the test build so idle locking can be tested without waiting.
export const clock = {
  now: (): number => Date.now(),
};
