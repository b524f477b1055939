from monlab.cli import main

main()
