SUFFIX = "-cheatsheet.pdf"
def write(deck, path, paper="a4"):
    open(path,"wb").write(b"")
