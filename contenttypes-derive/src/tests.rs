// snapshot tests come later
