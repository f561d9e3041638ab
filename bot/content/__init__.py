"""The FAQ content as editors change it: reading and writing the topic files, the rules an
answer and its examples must follow, and publishing a new model to the running bot."""
