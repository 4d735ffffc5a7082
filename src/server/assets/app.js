// The search page's enhancements, served after suggest.js in the same function scope: suggestions
// under the search box. Without this script the page works the same, minus the suggestions.

var box = document.getElementById("q");
if (box && box.form && window.fetch && window.AbortController) {
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  box.form.appendChild(status);
  attachSuggestions({
    input: box,
    id: "q-suggestions",
    endpoint: "/api/suggest",
    status: status,
    classes: { list: "suggestions", option: "suggestion", kind: "kind" },
    onQuery: function () {
      if (box.form.requestSubmit) box.form.requestSubmit();
      else box.form.submit();
    },
  });
}
