// Files in chats (issue 14), the controller's side: the agent's upload. Mixed into the
// controller (like chat-actions.js) so that views never talk to the server themselves.

import { files as filesApi } from './api.js';
import { store } from './state.js';

export const fileActions = {
  /**
   * Uploads `file` into chat `chatId` with `clientId` (kept across a Retry: the server stores
   * it once). `onProgress(fraction)` while the bytes go out. The stored message (the 201) goes
   * into the log at once; its `message` frame, before or after, has the same seq and is
   * dropped. Nothing is shown in the log before that: an upload is not a message until stored.
   */
  async sendFile(chatId, file, clientId, onProgress) {
    const m = await filesApi.upload(Number(chatId), file, clientId, onProgress);
    store.addMessages(Number(chatId), [m]);
    return m;
  },
};
