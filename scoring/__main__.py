"""Allow `python -m scoring`."""

from scoring.cli.app import main

if __name__ == "__main__":
    main()
