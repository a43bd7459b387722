"""The account home: details, email change, password, data download, deletion, logging out."""
