// The share row of a profile page, enhanced: copy the link, open the system share sheet.
// Without this script the row still has its Zalo and Facebook links and the link in a
// read-only field; the two buttons stay hidden, so no button is ever shown that does nothing.

const row = document.querySelector(".share");
if (row) {
  // .href resolves a root-relative canonical link against the page: always an absolute URL.
  const canonical = document.querySelector('link[rel="canonical"]');
  const url = canonical ? canonical.href : location.href;
  const field = row.querySelector("#lien-ket");
  const status = row.querySelector(".share-status");
  const copy = row.querySelector('[data-share="copy"]');
  const native = row.querySelector('[data-share="native"]');
  field.value = url;

  let timer;
  const say = (text) => {
    status.textContent = text;
    clearTimeout(timer);
    timer = setTimeout(() => { status.textContent = ""; }, 6000);
  };

  // The Clipboard API exists only on https (and localhost); elsewhere the selected field
  // is copied the old way, and if that fails too the reader is told to copy it by hand.
  const copied = async () => {
    try {
      await navigator.clipboard.writeText(url);
      return true;
    } catch {
      field.select();
      try {
        return document.execCommand("copy");
      } catch {
        return false;
      }
    }
  };

  copy.addEventListener("click", async () => {
    if (await copied()) {
      say("Đã chép liên kết.");
    } else {
      field.focus();
      field.select();
      say("Chưa chép được: liên kết đã được chọn sẵn trong ô trên, hãy chép bằng tay.");
    }
  });
  copy.parentElement.hidden = false;

  if (typeof navigator.share === "function") {
    native.addEventListener("click", () => {
      const title = document.querySelector("h1")?.textContent.trim() || document.title;
      // Closing the share sheet rejects the promise: that is the reader's choice, not an error.
      navigator.share({ title, url }).catch(() => {});
    });
    native.parentElement.hidden = false;
  }
}
