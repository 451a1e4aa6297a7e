export { DeadLetterService } from './dead-letter.service';
export { DeadLetterModule } from './dead-letter.module';
