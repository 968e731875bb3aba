from commonground.cli import main

main()
