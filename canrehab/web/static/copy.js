// The copy button beside a patient link: copies the link text (the page works without it).
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var target = document.getElementById(button.getAttribute("data-copy"));
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      button.textContent = "Kopierad";
    });
  });
});
