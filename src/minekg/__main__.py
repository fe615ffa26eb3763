from minekg.cli import main

main()
