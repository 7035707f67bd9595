/** The error `work` throws or rejects with; fails the test when it succeeds. */
export async function rejection(work: () => unknown): Promise<any> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
