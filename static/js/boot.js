// Runs before the first paint (not deferred): the sidebar opens as the user left it.
try {
  if (window.localStorage.getItem("leadkeeper.sidebar") === "collapsed") {
    document.documentElement.classList.add("sidebar-collapsed");
  }
} catch (e) { /* storage blocked: the sidebar stays open */ }
