// The copy button beside a patient link (the page works without it): copies the link and says so. Where the
// browser has no asynchronous clipboard (a page served over plain http) or refuses it, the link is selected
// and copied the older way, or the nurse is told to copy the selected link herself.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var target = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById(button.getAttribute("data-status"));
  button.hidden = false;
  function say(text) {
    if (status) { status.textContent = text; status.hidden = false; }
  }
  function select() {
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function fallback() {
    select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    say(copied ? "Länken är kopierad." :
      "Länken är markerad: kopiera den med Ctrl+C (på mobilen: håll fingret på länken och välj Kopiera).");
  }
  button.addEventListener("click", function () {
    var text = target.textContent.trim();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { say("Länken är kopierad."); }, fallback);
    } else {
      fallback();
    }
  });
});
